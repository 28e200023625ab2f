using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Server.Messaging;
using Chat.Server.Rooms;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Chat.Tests.Conversations;

/// <summary>Batches planned on rows given in the test, numbered after the room's stored counters.</summary>
internal static class Plans
{
    public static readonly DateTime Now = new(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc);

    public static BatchState Room(string name, string kind, params (ChatUser User, string Role)[] members)
    {
        var state = new BatchState { RulesLoaded = true };
        var room = new RoomState(new RoomRecord
        {
            Name = name, Kind = kind, CreatedAt = Now.AddDays(-1),
            MemberCount = members.Length, OwnerCount = members.Count(m => m.Role == MemberRoles.Owner),
        });
        foreach (var (user, role) in members)
        {
            room.Members[user.Id] = new MemberRecord { Room = name, UserId = user.Id, UserName = user.Name, Role = role, JoinedAt = Now.AddDays(-1) };
            state.Users[user.Id] = new UserRecord { Id = user.Id, Name = user.Name };
        }

        state.RoomStates[name] = room;
        return state;
    }

    public static BatchPlan Plan(BatchState state, params ChangeRequest[] batch) =>
        new BatchPlanner(new FixedTime(Now), Options.Create(new MessagesOptions()), Options.Create(new AdminOptions())).Plan(batch, state);

    public static void Allocate(BatchPlan plan, string room)
    {
        if (plan.Rooms.TryGetValue(room, out var block))
        {
            var before = plan.InfoOf(room);
            block.LastSequence = before.LastSequence + block.Messages;
            block.LastEventSequence = before.LastEventSequence + block.Events;
            block.Kind = before.Kind;
        }

        plan.Number();
    }

    public static IEnumerable<string?> Codes(BatchPlan plan) => Enumerable.Range(0, plan.Count).Select(i => plan.OutcomeOf(i).Error?.Code);
}
