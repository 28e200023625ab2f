namespace Chat.Client;

/// <summary>The hub protocol a <see cref="ChatClient"/> speaks. The server accepts both.</summary>
public enum ChatHubProtocol
{
    /// <summary>Binary MessagePack: smaller and faster. The default.</summary>
    MessagePack,

    /// <summary>JSON text: easier to read in network traces.</summary>
    Json,
}

/// <summary>How a <see cref="ChatClient"/> connects, signs in and reconnects.</summary>
public sealed class ChatClientOptions
{
    /// <summary>The server's base address, e.g. <c>http://localhost:5000</c>. The hub path is added by the client.</summary>
    public Uri? ServerUrl { get; set; }

    /// <summary>
    /// Sign in as a guest with this name (<c>POST /api/auth/token</c>). Leave empty when
    /// <see cref="AccessTokenProvider"/> supplies tokens from another issuer.
    /// </summary>
    public string? UserName { get; set; }

    /// <summary>
    /// Supplies bearer tokens when the server does not issue guest tokens. The client caches the token until shortly
    /// before <see cref="ChatAccessToken.ExpiresAt"/>, and asks again when the server answers 401.
    /// </summary>
    public Func<CancellationToken, Task<ChatAccessToken>>? AccessTokenProvider { get; set; }

    /// <summary>The hub protocol. MessagePack by default.</summary>
    public ChatHubProtocol Protocol { get; set; } = ChatHubProtocol.MessagePack;

    /// <summary>How long to wait between connection attempts.</summary>
    public ChatReconnectOptions Reconnect { get; set; } = new();

    /// <summary>How the typing helper (<see cref="ChatClient.CreateTypingIndicator"/>) throttles and ends typing.</summary>
    public ChatTypingOptions Typing { get; set; } = new();

    /// <summary>
    /// A token is renewed once less than this share of its lifetime is left (and at the latest this long before it
    /// expires, see <see cref="MaxTokenRenewalLead"/>): in the background while the client runs, and before any
    /// (re)connect, so a reconnect never presents an expired token.
    /// </summary>
    public double TokenRenewalShare { get; set; } = 0.2;

    /// <summary>The most time before expiry at which a token is renewed. One minute by default.</summary>
    public TimeSpan MaxTokenRenewalLead { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a call the server answers <see cref="Shared.ChatErrorCodes.Unavailable"/> (it could not store the
    /// change; nothing was changed) is retried, with the <see cref="Reconnect"/> backoff, before the
    /// <see cref="ChatRequestException"/> reaches the caller. One minute by default; <see cref="TimeSpan.Zero"/> never retries.
    /// </summary>
    public TimeSpan UnavailableRetryTimeout { get; set; } = TimeSpan.FromMinutes(1);

    internal void Validate()
    {
        if (ServerUrl is null || !ServerUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("ChatClientOptions.ServerUrl must be an absolute URL, e.g. http://localhost:5000.", nameof(ServerUrl));
        }

        if (string.IsNullOrEmpty(UserName) == (AccessTokenProvider is null))
        {
            throw new ArgumentException("Set exactly one of ChatClientOptions.UserName (guest sign-in) and ChatClientOptions.AccessTokenProvider.", nameof(UserName));
        }

        if (TokenRenewalShare is < 0 or > 0.9 || MaxTokenRenewalLead < TimeSpan.Zero)
        {
            throw new ArgumentException("ChatClientOptions.TokenRenewalShare is between 0 and 0.9 and MaxTokenRenewalLead is not negative.", nameof(TokenRenewalShare));
        }

        if (UnavailableRetryTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("ChatClientOptions.UnavailableRetryTimeout is not negative.", nameof(UnavailableRetryTimeout));
        }

        if (!string.IsNullOrEmpty(UserName) && !Shared.ChatRules.IsValidUserName(UserName))
        {
            throw new ArgumentException("User names are 1-32 characters of letters, digits, '_', '-' and '.'.", nameof(UserName));
        }

        Reconnect.Validate();
        Typing.Validate();
    }
}

/// <summary>
/// Exponential backoff with jitter between connection attempts. The client never gives up: it keeps trying until it
/// is stopped, also when the very first attempt finds no server.
/// </summary>
public sealed class ChatReconnectOptions
{
    /// <summary>The delay before the first retry; each further retry doubles it up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest delay between two attempts.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Share of each delay that is random (0 = none, 1 = anywhere from zero to the full delay), so that many clients
    /// cut off at once do not all come back at the same instant.
    /// </summary>
    public double Jitter { get; set; } = 0.5;

    /// <summary>The delay before retry number <paramref name="retry"/> (0 for the first).</summary>
    /// <param name="retry">How many retries came before this one.</param>
    /// <param name="random">A number in [0, 1) that picks the jitter.</param>
    public TimeSpan GetDelay(int retry, double random)
    {
        var exponent = Math.Min(retry, 30);
        var full = Math.Min(InitialDelay.TotalMilliseconds * Math.Pow(2, exponent), MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(full * (1 - (Jitter * random)));
    }

    internal void Validate()
    {
        if (InitialDelay < TimeSpan.Zero || MaxDelay < InitialDelay)
        {
            throw new ArgumentException("ChatReconnectOptions needs 0 <= InitialDelay <= MaxDelay.", nameof(MaxDelay));
        }

        if (Jitter is < 0 or > 1)
        {
            throw new ArgumentException("ChatReconnectOptions.Jitter is a share between 0 and 1.", nameof(Jitter));
        }
    }
}

/// <summary>Timing of the typing helper.</summary>
public sealed class ChatTypingOptions
{
    /// <summary>
    /// While the user keeps typing, <c>SetTyping(true)</c> is repeated at most this often. It must stay below the
    /// server's 5 s typing timeout so that others see one continuous typing state.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>After this long without a keystroke the helper sends <c>SetTyping(false)</c>.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(2);

    internal void Validate()
    {
        if (RefreshInterval <= TimeSpan.Zero || RefreshInterval >= TimeSpan.FromSeconds(Shared.ChatLimits.TypingTimeoutSeconds))
        {
            throw new ArgumentException("ChatTypingOptions.RefreshInterval must be positive and below the server's typing timeout.", nameof(RefreshInterval));
        }

        if (IdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("ChatTypingOptions.IdleTimeout must be positive.", nameof(IdleTimeout));
        }
    }
}

/// <summary>A bearer token and when it expires.</summary>
/// <param name="Token">The token (a JWT for the chat server).</param>
/// <param name="ExpiresAt">When it stops being valid; null when unknown (then it is renewed only after a 401).</param>
public sealed record ChatAccessToken(string Token, DateTimeOffset? ExpiresAt);
