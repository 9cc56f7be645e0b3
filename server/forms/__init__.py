"""The monitors' forms: XLSForm sources in mobile_forms/, built into XForms with pyxform
(`flask forms build`), the mapping from form fields to the domain, and the layout of the media
files the forms read."""
