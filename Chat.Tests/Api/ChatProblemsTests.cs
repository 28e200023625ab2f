using Chat.Server.Api;
using Chat.Shared;

namespace Chat.Tests.Api;

public sealed class ChatProblemsTests
{
    [Theory]
    [InlineData(ChatErrorCodes.InvalidRequest, 400)]
    [InlineData(ChatErrorCodes.InvalidRoomName, 400)]
    [InlineData(ChatErrorCodes.InvalidLimit, 400)]
    [InlineData(ChatErrorCodes.InvalidReaction, 400)]
    [InlineData(ChatErrorCodes.EmptyMessage, 400)]
    [InlineData(ChatErrorCodes.MessageTooLong, 400)]
    [InlineData(ChatErrorCodes.EditWindowExpired, 400)]
    [InlineData(ChatErrorCodes.TooManyReactions, 400)]
    [InlineData(ChatErrorCodes.Unauthorized, 401)]
    [InlineData(ChatErrorCodes.Forbidden, 403)]
    [InlineData(ChatErrorCodes.Banned, 403)]
    [InlineData(ChatErrorCodes.Muted, 403)]
    [InlineData(ChatErrorCodes.NotAMember, 403)]
    [InlineData(ChatErrorCodes.NotFound, 404)]
    [InlineData(ChatErrorCodes.RoomExists, 409)]
    [InlineData(ChatErrorCodes.TooLarge, 413)]
    [InlineData(ChatErrorCodes.RateLimited, 429)]
    [InlineData(ChatErrorCodes.SlowMode, 429)]
    [InlineData(ChatErrorCodes.Unavailable, 503)]
    public void EachCodeHasTheContractsStatus(string code, int status) => ChatProblems.StatusOf(code).Should().Be(status);
}
