"""Google Apps Script: projects read through the script v1 REST API."""
