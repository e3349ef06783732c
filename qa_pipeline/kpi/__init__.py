"""Contact-centre KPIs: the manifest fields they need, per-call values, roll-ups and the impact of criteria."""
