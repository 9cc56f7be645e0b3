"""A monitor's own reports: their visits (with incidents) and stand-alone incidents, with the
review status and the coordinators' comments, for the phone (device token) and the web
(/my-reports)."""
