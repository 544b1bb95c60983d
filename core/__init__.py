"""Topic-free machinery shared by every tab: device, models, data, uploads, plots, i18n."""
