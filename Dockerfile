# syntax=docker/dockerfile:1
# Chat.Server: build with the SDK (plus Node.js for the web page bundle), run on the ASP.NET runtime as a non-root user.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The server build bundles the web page with npm/esbuild.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Restore first, from the project files only, so the package layer survives source edits.
COPY Directory.Build.props Directory.Packages.props Packaging.props .editorconfig ./
COPY Chat.Shared/Chat.Shared.csproj Chat.Shared/
COPY Chat.Server/Chat.Server.csproj Chat.Server/
COPY clients/typescript/generator/Chat.TypeScript.Generator.csproj clients/typescript/generator/
# For this platform's runtime: the publish precompiles the server and its libraries (ReadyToRun, Chat.Server.csproj).
RUN dotnet restore Chat.Server/Chat.Server.csproj --use-current-runtime
COPY Chat.Shared/ Chat.Shared/
COPY Chat.Server/ Chat.Server/
# The web page is built on the TypeScript client package, generated from Chat.Shared by its generator project.
COPY clients/typescript/ clients/typescript/
RUN dotnet publish Chat.Server/Chat.Server.csproj -c Release --use-current-runtime --self-contained false --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl is for the container health check only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data /keys \
    && chown "$APP_UID" /data /keys
WORKDIR /app
COPY --from=build /app .
USER $APP_UID
ENV ASPNETCORE_URLS=http://+:8080 \
    ConnectionStrings__Chat="Data Source=/data/chat.db"
EXPOSE 8080
VOLUME ["/data"]
# /readyz fails until the node has warmed up (about half a minute of rehearsed traffic after start; WarmUp:* settings).
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 CMD curl -fsS http://localhost:8080/readyz || exit 1
ENTRYPOINT ["dotnet", "Chat.Server.dll"]
