# Plain setuptools (metadata and entry points are in setup.cfg): installable
# without PyPI and without git metadata, e.g.
#   /usr/bin/python3 -m pip install --break-system-packages --no-index \
#       --no-build-isolation --no-deps .
import setuptools

setuptools.setup()
