"""Data sharing (issue 17, decision 0029): events from every act in the act's transaction
(``events``), subscribers and their sharing list with field-level minimisation (``subscribers``,
``sharing_list``), Standard Webhooks delivery (``webhooks``, ``dispatch``), the pull feed
(``feed``), outcome feedback (``feedback``) and the expiry events of the scheduled job (``due``).
"""
