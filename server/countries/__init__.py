"""Country records: legal facts that belong to a country's law, not to one visit (whether the
law provides judicial review of immigration detention and a time limit, an asylum procedure).
Kept once per country by an admin, instead of being asked at every visit."""
