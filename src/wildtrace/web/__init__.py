"""The analysts' pages: server-rendered with Jinja2 (autoescape on), small static JS and CSS shipped in the
package (Cytoscape.js for the network view), no CDN. ``wildtrace.api.create_app`` installs them."""
