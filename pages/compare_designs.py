"""Two designs side by side: the same workload, compared on hops, latency, coupling and where state lives."""
from ui import canvas_page, playback_compare

canvas_page.setup("Two designs side by side")
playback_compare.show()
