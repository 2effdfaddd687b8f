"""Regional evidence for cluster policy and smart specialisation (pure functions on DataFrames).

- :mod:`~workbench.evidence.matrix`          region x sector matrices: building and checking them
- :mod:`~workbench.evidence.reference`       the explicit reference economy of an LQ
- :mod:`~workbench.evidence.specialisation`  LQ/RCA, binary specialisation, Hachman, Krugman, Herfindahl, CAGR
- :mod:`~workbench.evidence.shiftshare`      Dunn shift-share
- :mod:`~workbench.evidence.stars`           European Cluster Observatory stars, specialisation quadrant
- :mod:`~workbench.evidence.complexity`      proximity, relatedness density, ECI/PCI, COI/COG
- :mod:`~workbench.evidence.peers`           peer regions ("parallel contexts")
- :mod:`~workbench.evidence.nuts`            NUTS 2013/2016 -> 2021 harmonisation
- :mod:`~workbench.evidence.data`            loaders from the knowledge base
Thresholds and conventions: ``workbench/defaults/evidence.yml`` (:mod:`~workbench.evidence.settings`).
"""

from workbench.evidence.complexity import (
    ComplexityResult,
    complexity_panel,
    diversification_options,
    economic_complexity,
    proximity,
    relatedness_density,
)
from workbench.evidence.matrix import check_matrix, long_to_matrix, matrix_to_long
from workbench.evidence.nuts import code_changes, conversion_table, harmonise_to_2021
from workbench.evidence.peers import contributions_long, peer_regions, structure_variables
from workbench.evidence.reference import ReferenceEconomy, as_reference
from workbench.evidence.shiftshare import shift_share, shift_share_summary
from workbench.evidence.specialisation import (
    binary_specialisation,
    cagr,
    hachman_index,
    herfindahl_index,
    krugman_index,
    location_quotient,
    rca,
)
from workbench.evidence.stars import cluster_stars, specialisation_quadrant

__all__ = [
    "ComplexityResult",
    "ReferenceEconomy",
    "as_reference",
    "binary_specialisation",
    "cagr",
    "check_matrix",
    "cluster_stars",
    "code_changes",
    "complexity_panel",
    "contributions_long",
    "conversion_table",
    "diversification_options",
    "economic_complexity",
    "hachman_index",
    "harmonise_to_2021",
    "herfindahl_index",
    "krugman_index",
    "location_quotient",
    "long_to_matrix",
    "matrix_to_long",
    "peer_regions",
    "proximity",
    "rca",
    "relatedness_density",
    "shift_share",
    "shift_share_summary",
    "specialisation_quadrant",
    "structure_variables",
]
