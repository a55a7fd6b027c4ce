from django.http import FileResponse


def private_file(field):
    """A stored photo, for the user whose scope let the view find it."""
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    # The photo of a family's door is nobody's cache's business.
    response["Cache-Control"] = "private, max-age=3600"
    return response
