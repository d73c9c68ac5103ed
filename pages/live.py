"""Live lesson: students join by code and follow the teacher's canvas; the teacher drives and asks questions."""
from ui import canvas_page, live_view

canvas_page.setup("Live lesson")
live_view.show()
