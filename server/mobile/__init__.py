"""The monitors' offline-first mobile web app (PWA): the app shell, its service worker, and the
form definitions and media it renders, served to device tokens with ETags."""
