#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image for lesson
# __LOOPLAB_LESSON__ (written by `looplab gradescope`). It installs bubblewrap where apt has it,
# uv, and looplab's locked environment (uv.lock, without dev tools) in source/.venv, then
# checks the reference solution once, so that a broken image fails here, not on students.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SOURCE="${LOOPLAB_AUTOGRADER_ROOT:-/autograder}/source"

# bubblewrap sandboxes student code; looplab grades without it (and says so) where the
# container cannot create namespaces, which `run_autograder` finds out for each submission
if command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq || true
  apt-get install -y -qq --no-install-recommends ca-certificates curl bubblewrap \
    || echo "looplab: could not install bubblewrap; student code will run in the container alone"
fi

# uv, and the Python it installs, where the student process (which drops to `nobody`) can read them
export UV_INSTALL_DIR=/usr/local/bin UV_NO_MODIFY_PATH=1
export UV_PYTHON_INSTALL_DIR=/opt/looplab/python UV_CACHE_DIR=/opt/looplab/uv-cache UV_LINK_MODE=copy
if ! command -v uv >/dev/null 2>&1; then
  curl -LsSf https://astral.sh/uv/install.sh | sh || python3 -m pip install uv
fi

cd "$SOURCE"
uv sync --frozen --no-dev
uv cache clean || true  # the environment holds copies; the cache would only grow the image

# a smoke check of the image: the reference solution must get a report
"$SOURCE/.venv/bin/python" -m looplab check __LOOPLAB_LESSON__ "solutions/lesson-__LOOPLAB_LESSON__.py"
if command -v bwrap >/dev/null 2>&1 && bwrap --ro-bind / / --unshare-net --unshare-pid true 2>/dev/null; then
  echo "looplab: bubblewrap works in this image"
else
  echo "looplab: bubblewrap cannot run in this image; Gradescope's per-submission container is the protection"
fi
