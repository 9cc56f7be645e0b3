"""Server-rendered pages: the coordinator workspace, sign-in, admin (templates/ beside)."""
