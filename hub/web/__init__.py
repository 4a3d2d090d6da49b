"""What every page shares: templates and translations, security, authorization, forms, htmx."""
