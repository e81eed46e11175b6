"""Adapters: the outside world behind the ports of ``opcert.services.kernel.ports``.

One package per port (``identity``, ``sms``, ``mail``); the session store's adapters live in
``opcert.persistence`` beside the other storage. Adapters import the domain, never the services;
``opcert.bootstrap`` alone chooses and wires them from ``Settings``.
"""
