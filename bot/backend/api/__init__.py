"""REST API of the case backend (`/api/...`, service token), thin routes over the services."""
