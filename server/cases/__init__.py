"""Protection cases, sealed end to end (issue 19). The server keeps each case's triage fields
(organisation, facility, date, urgency, status, dates) in clear and its content only as
ciphertext it cannot open: the organisation's private key exists here only wrapped under its
key holders' passphrases, made and opened in their browsers (static/js/cases/)."""
