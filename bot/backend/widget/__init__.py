"""The residents' website chat widget: static files and a demo page, served by the case backend."""
