import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("assay", max_examples=40, deadline=None)
settings.load_profile("assay")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
