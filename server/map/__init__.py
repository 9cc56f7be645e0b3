"""The coordinators' map: incident counts by grid cell at any zoom, points when few, the time
histogram, and the facilities layer with each facility's latest ring (red
flags first, then the worst dimension)."""
