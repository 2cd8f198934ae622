"""Roster upload pages (filled in by the importer work)."""
from django.http import HttpResponse


def upload(request):
    return HttpResponse(status=501)


template = report = report_download = upload
