from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("todo")


article_list = article_detail = article_qr = issue_list = issue_detail = _todo
