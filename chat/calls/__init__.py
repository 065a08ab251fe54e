"""Voice and video calls from the chat (docs/calls.md): the ``Call`` row's writes
(``services.py``), what they share (``common.py``), the call object of the frames and the
timeline's line (``timeline.py``), the relay check of offers, answers and candidates
(``relay.py``), the signalling frames on both sockets (``signalling.py``), the STUN/TURN
servers handed to the browsers (``ice.py``) and the widget's strings (``strings.py``)."""
