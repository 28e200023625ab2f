using Chat.Server.Conversations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Chat.Server.Auth;

/// <summary>
/// The one check of who is a server administrator on HTTP: endpoints of the server API that only administrators may
/// call (bots, webhooks) require <see cref="PolicyName"/>.
/// </summary>
public sealed class AdminAuthorization(IOptions<AdminOptions> admins) : AuthorizationHandler<AdminAuthorization.Requirement>
{
    public const string PolicyName = "admin";

    public sealed class Requirement : IAuthorizationRequirement;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, Requirement requirement)
    {
        if (context.User.FindFirst(ChatClaims.UserId)?.Value is { } userId && admins.Value.IsAdmin(userId))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
