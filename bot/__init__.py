"""parbot: the domain, channels and app."""
