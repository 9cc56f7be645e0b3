"""The coordinators' map: incident counts by grid cell at any zoom, points when few, the time
histogram, and the facilities layer with each facility's latest condition grade."""
