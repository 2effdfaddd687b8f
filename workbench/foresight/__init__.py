"""Foresight workshops: model and loaders, Delphi statistics, impact/uncertainty and scenarios, MICMAC.

* :mod:`~workbench.foresight.model` - load an exercise from the knowledge base (+ pending inbox rows);
* :mod:`~workbench.foresight.delphi` - per-item median/IQR/consensus, agreement, Kendall's W, stability;
* :mod:`~workbench.foresight.scenarios` - impact/uncertainty matrix, critical uncertainties, 2x2 frame;
* :mod:`~workbench.foresight.micmac` - structural analysis (direct/indirect influence and dependence);
* :mod:`~workbench.foresight.capture_kinds` - submission kinds, their validation and merge (light);
* :mod:`~workbench.foresight.state` - what participants may see (published by the facilitator).
* :mod:`~workbench.foresight.anchors` - what the points of a statement's scale mean.

Setting an exercise up from a template file: :mod:`workbench.importers.foresight_setup`;
invitation links and the printable sheet: :mod:`workbench.serving.invitations`.

This ``__init__`` imports nothing on purpose: participant kernels import only the light modules.
"""
