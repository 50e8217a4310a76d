"""A notification is read once the worker opens what it points to, however she got there
(the home page, a list, a link in an e-mail), not only through the notifications page."""

from corridor.notifications import services


class MarkOpenedNotificationsReadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.method == "GET"
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(("/api/", "/static/"))
            # a page's own htmx requests (a progress bar polling) are not a page opened
            and "HX-Request" not in request.headers
        ):
            services.mark_read_at(user, request.path)  # before the view: the bell agrees
        return self.get_response(request)
