#!/usr/bin/env bash
# Packs Chat.Shared and Chat.Client, each with its symbols package (.snupkg), into artifacts/packages
# (or $CHAT_PACKAGES_DIR). Extra arguments go to `dotnet pack`, e.g.
#   scripts/pack.sh -p:VersionSuffix=preview.1 -p:RepositoryUrl=https://github.com/OWNER/NAME
# (RepositoryUrl: where the sources are published, for SourceLink and the package's links; see Packaging.props).
set -euo pipefail
cd "$(dirname "$0")/.."

out="${CHAT_PACKAGES_DIR:-artifacts/packages}"
# A package is a release artifact: always the reproducible CI build (no machine paths in the PDBs).
dotnet pack Chat.Client/Chat.Client.csproj -c Release -nologo -v quiet -o "$out" -p:ContinuousIntegrationBuild=true "$@"
# Chat.Shared was built above, with the same settings, as Chat.Client's dependency.
dotnet pack Chat.Shared/Chat.Shared.csproj -c Release -nologo -v quiet -o "$out" -p:ContinuousIntegrationBuild=true --no-build "$@"
ls -1 "$out"
