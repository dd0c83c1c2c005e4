from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("todo")


company_list = company_detail = leadership = _todo
