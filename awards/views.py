from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("todo")


honour_list = _todo
