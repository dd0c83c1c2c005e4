from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("todo")


event_list = event_detail = event_ics = _todo
