"""The per-machine router: stable ``https://<service>.<project>.localhost`` names for every public service.

One Caddy container (``caddy:2``) is shared by every devenv project on the machine. It
joins each project's network, answers on the host's port 443 (and 80, which redirects)
and proxies each name to the service's container port, WebSockets included. Its
Caddyfile is a generated file (:mod:`devenv.router.caddyfile`, pure), its certificates
are issued by devenv from a local certificate authority created once per user
(:mod:`devenv.router.ca`). :mod:`devenv.router.runtime` drives it through the engine
facade; :mod:`devenv.router.override` is the compose override ``up`` adds (the CA
trusted inside the containers, host ports other projects hold left out);
:mod:`devenv.router.trust` installs the CA into the system and browser trust stores.
"""
