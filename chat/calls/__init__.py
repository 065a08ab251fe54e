"""Voice and video calls from the chat (docs/calls.md): the ``Call`` row and its services
(``services.py``), the signalling frames on both sockets (``signalling.py``), the STUN/TURN
servers handed to the browsers (``ice.py``) and the widget's strings (``strings.py``)."""
