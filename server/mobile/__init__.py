"""The monitors' offline-first mobile web app (PWA): the app shell, its service worker, and the
form definitions and media it renders, served to device tokens with ETags."""


def init_app(app) -> None:
    """The deployment's face and old-draft limits are checked once, at start."""
    from .face import check_settings
    check_settings(app.config)
