"""Topic-free machinery shared by every tab: device, models, data, uploads, plots, i18n."""

import os

#: The project's folder (the one holding app.py): what the diagnostics name files from.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
