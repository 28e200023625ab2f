using System.Text.Json;
using Chat.Server.Hubs;
using Chat.Shared;

namespace Chat.Server.Api;

/// <summary>Reads a JSON body; what is not one (or too large) is refused with the contract's codes, not an empty 400.</summary>
internal static class ApiBodies
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken = default)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            throw Invalid();
        }

        try
        {
            return await request.ReadFromJsonAsync<T>(cancellationToken) ?? throw Invalid();
        }
        catch (JsonException)
        {
            throw Invalid();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ChatException(ChatErrorCodes.TooLarge, $"a request body is at most {ChatLimits.MaxHubMessageBytes} bytes, as a hub message is");
        }
    }

    private static ChatException Invalid() =>
        new(ChatErrorCodes.InvalidRequest, "send a JSON object (Content-Type: application/json) as the API's documentation describes");
}
