using System.Net.Http.Json;
using System.Text.Json;
using Chat.Shared;
using Microsoft.Extensions.Logging;

namespace Chat.Client;

/// <summary>
/// Caches the bearer token and renews it before it expires, and at once after the server refused it. SignalR asks for
/// the token on every (re)connect, so the server only ever sees a fresh one.
/// </summary>
internal sealed class AccessTokenSource : IDisposable
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(100);

    private readonly ChatClientOptions _options;
    private readonly HttpClient? _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Cached? _cached;

    public AccessTokenSource(ChatClientOptions options, Uri serverBaseUrl, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        if (options.AccessTokenProvider is null)
        {
            _http = new HttpClient { BaseAddress = serverBaseUrl };
        }
    }

    /// <summary>
    /// The signed-in user's id: from the guest sign-in, or else the <c>sub</c> claim of the provider's token (the claim
    /// the server reads the user from). Null until the first token, or when the token is not a JWT.
    /// </summary>
    public string? UserId { get; private set; }

    public async Task<string> GetAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } cached && !NeedsRenewal(cached))
            {
                return cached.Token.Token;
            }

            var token = await FetchAsync(cancellationToken);
            _cached = new Cached(token, _time.GetUtcNow());
            if (_options.AccessTokenProvider is not null)
            {
                UserId = ReadSubject(token.Token) ?? UserId;
            }

            ChatClientLog.TokenRenewed(_logger, token.ExpiresAt);
            return token.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// While the client runs, renews the token when its renewal time comes, so that a reconnect finds a fresh token
    /// ready even if the issuer is briefly unreachable then.
    /// </summary>
    public async Task KeepFreshAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                await GetAsync(stoppingToken);
                if (_cached is not { Token.ExpiresAt: not null } cached)
                {
                    return;
                }

                wait = RenewalTime(cached) - _time.GetUtcNow();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                ChatClientLog.TokenRenewalFailed(_logger, exception);
                wait = RetryAfterFailure;
            }

            try
            {
                await Task.Delay(wait > MinimumWait ? wait : MinimumWait, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Forgets the cached token after the server refused it.</summary>
    public void Invalidate(string refusedToken)
    {
        if (_cached?.Token.Token == refusedToken)
        {
            _cached = null;
        }
    }

    /// <summary>The token handed out last, to know which one the server refused.</summary>
    public string? Current => _cached?.Token.Token;

    public void Dispose()
    {
        _http?.Dispose();
        _gate.Dispose();
    }

    /// <summary>
    /// The <c>sub</c> claim of a JWT, read without checking the signature: the server checks it, and the client only
    /// needs to know which user it is, to recognise the changes that concern that user (e.g. being removed from a room).
    /// </summary>
    /// <returns>The subject, or null when <paramref name="token"/> is not a JWT with a string <c>sub</c>.</returns>
    internal static string? ReadSubject(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        try
        {
            using var claims = JsonDocument.Parse(Convert.FromBase64String(payload));
            return claims.RootElement.ValueKind == JsonValueKind.Object
                && claims.RootElement.TryGetProperty("sub", out var subject)
                && subject.ValueKind == JsonValueKind.String
                ? subject.GetString()
                : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return null;
        }
    }

    private bool NeedsRenewal(Cached cached) => _time.GetUtcNow() >= RenewalTime(cached);

    private DateTimeOffset RenewalTime(Cached cached)
    {
        if (cached.Token.ExpiresAt is not { } expiresAt)
        {
            return DateTimeOffset.MaxValue;
        }

        var lifetime = expiresAt - cached.ObtainedAt;
        var lead = TimeSpan.FromTicks(Math.Min((long)(lifetime.Ticks * _options.TokenRenewalShare), _options.MaxTokenRenewalLead.Ticks));
        return expiresAt - lead;
    }

    private async Task<ChatAccessToken> FetchAsync(CancellationToken cancellationToken)
    {
        if (_options.AccessTokenProvider is { } provider)
        {
            return await provider(cancellationToken);
        }

        using var response = await _http!.PostAsJsonAsync(
            new Uri(ChatRoutes.GuestToken.TrimStart('/'), UriKind.Relative), new GuestTokenRequest(_options.UserName!), cancellationToken);
        response.EnsureSuccessStatusCode();
        var guest = await response.Content.ReadFromJsonAsync<GuestTokenResponse>(cancellationToken)
            ?? throw new InvalidOperationException("The server answered the guest sign-in with an empty body.");
        UserId = guest.UserId;
        return new ChatAccessToken(guest.AccessToken, new DateTimeOffset(DateTime.SpecifyKind(guest.ExpiresAt, DateTimeKind.Utc)));
    }

    private sealed record Cached(ChatAccessToken Token, DateTimeOffset ObtainedAt);
}
