using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Shared;

namespace Chat.Server.Messaging;

/// <summary>The rules of conversations: rooms, members, roles, bans and mutes, decided on the rows the batch read.</summary>
public sealed partial class BatchPlan
{
    private readonly HashSet<object> _written = new(ReferenceEqualityComparer.Instance);

    private RoomFacts FactsOf(string room, string userId)
    {
        var state = _state.RoomStates.GetValueOrDefault(room);
        return new RoomFacts(state?.Record?.Kind, state?.MemberOf(userId), state?.Bans.GetValueOrDefault(userId), _admins.IsAdmin(userId));
    }

    private Outcome PlanUserSeen(UserSeenRequest seen)
    {
        var user = _state.Users.GetValueOrDefault(seen.Actor.Id);
        if (user?.Name == seen.Actor.Name)
        {
            return Outcome.Done();
        }

        user ??= new UserRecord { Id = seen.Actor.Id, Name = seen.Actor.Name };
        user.Name = seen.Actor.Name;
        _state.Users[user.Id] = user;
        if (_written.Add(user))
        {
            UsersSeen.Add(user);
        }

        return Outcome.Done();
    }

    private Outcome PlanJoin(JoinRequest join)
    {
        var state = _state.RoomStates[join.Room];
        var created = false;
        if (state.Record is null)
        {
            CreateRoom(state, join.Room, RoomKinds.Public, title: null, topic: null);
            created = true;
        }

        if (RoomRules.Check(FactsOf(join.Room, join.Actor.Id), RoomAction.Join, _now) is { } refused)
        {
            return new Outcome { Error = refused };
        }

        if (state.MemberOf(join.Actor.Id) is null && state.Record!.Kind == RoomKinds.Public)
        {
            AddMember(state, join.Room, join.Actor.Id, join.Actor.Name, created ? MemberRoles.Owner : MemberRoles.Member);
        }

        return Outcome.Done();
    }

    private Outcome PlanNewRoom(NewRoomRequest request)
    {
        var state = _state.RoomStates[request.Room];
        if (state.Record is not null)
        {
            return Outcome.Rejected(ChatErrorCodes.RoomExists, $"a room named '{request.Room}' exists already");
        }

        var unknown = request.MemberIds.FirstOrDefault(id => _state.Users.GetValueOrDefault(id) is null);
        if (unknown is not null)
        {
            return Outcome.Rejected(ChatErrorCodes.NotFound, $"no user '{unknown}' is known here: a user is known once they have signed in");
        }

        CreateRoom(state, request.Room, request.Kind, request.Title, request.Topic);
        var changes = new List<Change> { Added(request, AddMember(state, request.Room, request.Actor.Id, request.Actor.Name, MemberRoles.Owner)) };
        foreach (var userId in request.MemberIds)
        {
            var added = Added(request, AddMember(state, request.Room, userId, _state.Users[userId]!.Name, MemberRoles.Member));
            NotifyAdded(added, state.Record!);
            changes.Add(added);
        }

        return new Outcome { Room = request.Room, Changes = changes };
    }

    private Outcome PlanDirectRoom(DirectRoomRequest request)
    {
        var state = _state.RoomStates[request.Room];
        if (state.Record is { } existing)
        {
            return existing.Kind == RoomKinds.Direct
                ? new Outcome { Room = request.Room }
                : Outcome.Rejected(ChatErrorCodes.Forbidden, "that name is taken by a room that is not a direct conversation");
        }

        if (_state.Users.GetValueOrDefault(request.OtherUserId) is not { } other)
        {
            return Outcome.Rejected(ChatErrorCodes.NotFound, $"no user '{request.OtherUserId}' is known here: a user is known once they have signed in");
        }

        CreateRoom(state, request.Room, RoomKinds.Direct, title: null, topic: null);
        Change[] changes =
        [
            Added(request, AddMember(state, request.Room, request.Actor.Id, request.Actor.Name, MemberRoles.Member)),
            Added(request, AddMember(state, request.Room, other.Id, other.Name, MemberRoles.Member)),
        ];
        return new Outcome { Room = request.Room, Changes = changes };
    }

    private Outcome PlanSettings(RoomSettingsRequest request)
    {
        var state = _state.RoomStates[request.Room];
        if (state.Record is not { } room)
        {
            return NoSuchRoom();
        }

        if (RoomRules.Check(FactsOf(request.Room, request.Actor.Id), RoomAction.Moderate, _now) is { } refused)
        {
            return new Outcome { Error = refused };
        }

        var title = request.Title is null ? room.Title : NullIfEmpty(request.Title);
        var topic = request.Topic is null ? room.Topic : NullIfEmpty(request.Topic);
        var slowMode = request.SlowModeSeconds ?? room.SlowModeSeconds;
        if (title == room.Title && topic == room.Topic && slowMode == room.SlowModeSeconds)
        {
            return new Outcome { Room = request.Room };
        }

        room.Title = title;
        room.Topic = topic;
        room.SlowModeSeconds = slowMode;
        UpdateRoom(room);
        var change = Record(new Change(request, request.Room, RoomEventTypes.RoomUpdated, _now));
        return new Outcome { Room = request.Room, Changes = [change] };
    }

    private Outcome PlanMember(MemberRequest request)
    {
        var state = _state.RoomStates[request.Room];
        if (state.Record is null)
        {
            return NoSuchRoom();
        }

        var actor = FactsOf(request.Room, request.Actor.Id);
        var isSelf = request.UserId == request.Actor.Id;
        var action = request.Change switch
        {
            MemberChange.Add => RoomAction.AddMembers,
            MemberChange.Role => RoomAction.ManageRoles,
            MemberChange.Remove when isSelf => RoomAction.Read,
            _ => RoomAction.Moderate,
        };
        if (RoomRules.Check(actor, action, _now) is { } refused)
        {
            return new Outcome { Error = refused };
        }

        var target = state.MemberOf(request.UserId);
        // A member is someone rooms can name even if their sign-in was never recorded (the store was away then).
        var user = _state.Users.GetValueOrDefault(request.UserId)
            ?? (target is null ? null : new UserRecord { Id = target.UserId, Name = target.UserName });
        if (user is null)
        {
            return NoSuchMember();
        }

        if (request.Change is not (MemberChange.Add or MemberChange.Ban or MemberChange.Unban) && target is null)
        {
            return NoSuchMember();
        }

        if (request.Change is MemberChange.Remove or MemberChange.Ban or MemberChange.Mute && !isSelf && target is not null
            && !RoomRules.Outranks(actor.Role, target.Role))
        {
            return Outcome.Rejected(ChatErrorCodes.Forbidden, "moderators may act on plain members only");
        }

        return request.Change switch
        {
            MemberChange.Add => PlanAdd(request, state, user, target),
            MemberChange.Remove => PlanRemove(request, state, target!, isSelf),
            MemberChange.Role => PlanRole(request, state, target!),
            MemberChange.Ban => PlanBan(request, state, user, target, isSelf),
            MemberChange.Unban => PlanUnban(request, state, user),
            MemberChange.Mute => PlanMute(request, state, target!),
            _ => throw new NotSupportedException(request.Change.ToString()),
        };
    }

    private Outcome PlanAdd(MemberRequest request, RoomState state, UserRecord user, MemberRecord? target)
    {
        if (target is not null)
        {
            return new Outcome { Member = target.ToMember() };
        }

        if (RoomRules.IsBanned(state.Bans.GetValueOrDefault(user.Id), _now))
        {
            return Outcome.Rejected(ChatErrorCodes.Banned, "that user is banned from this room: unban them first");
        }

        var change = Added(request, AddMember(state, request.Room, user.Id, user.Name, MemberRoles.Member));
        NotifyAdded(change, state.Record!);
        return new Outcome { Member = change.Member, Changes = [change] };
    }

    private Outcome PlanRemove(MemberRequest request, RoomState state, MemberRecord target, bool isSelf)
    {
        if (isSelf && state.Record!.Kind == RoomKinds.Direct)
        {
            return Outcome.Rejected(ChatErrorCodes.Forbidden, "a direct conversation cannot be left");
        }

        if (IsLastOwner(state, target))
        {
            return LastOwner();
        }

        var change = Removed(request, state, target, ban: null);
        return new Outcome { Member = change.Member, Changes = [change] };
    }

    private Outcome PlanRole(MemberRequest request, RoomState state, MemberRecord target)
    {
        if (target.Role == request.Role)
        {
            return new Outcome { Member = target.ToMember() };
        }

        if (IsLastOwner(state, target))
        {
            return LastOwner();
        }

        state.OwnerCount += (request.Role == MemberRoles.Owner ? 1 : 0) - (target.Role == MemberRoles.Owner ? 1 : 0);
        target.Role = request.Role!;
        WriteMember(target);
        return MemberUpdated(request, target.ToMember());
    }

    private Outcome PlanBan(MemberRequest request, RoomState state, UserRecord user, MemberRecord? target, bool isSelf)
    {
        if (isSelf)
        {
            return Outcome.Rejected(ChatErrorCodes.Forbidden, "you cannot ban yourself");
        }

        if (target is not null && IsLastOwner(state, target))
        {
            return LastOwner();
        }

        var ban = state.Bans.GetValueOrDefault(user.Id);
        if (target is null && ban is not null && ban.Until == request.Until && ban.Reason == request.Reason)
        {
            return new Outcome { Member = BannedMember(request.Room, user, ban) };
        }

        ban ??= new BanRecord { Room = request.Room, UserId = user.Id, UserName = user.Name };
        ban.Until = request.Until;
        ban.Reason = request.Reason;
        ban.BannedAt = _now;
        state.Bans[user.Id] = ban;
        BansWritten.Add(ban);
        if (target is not null)
        {
            var removed = Removed(request, state, target, ban);
            return new Outcome { Member = removed.Member, Changes = [removed] };
        }

        return MemberUpdated(request, BannedMember(request.Room, user, ban));
    }

    private Outcome PlanUnban(MemberRequest request, RoomState state, UserRecord user)
    {
        if (state.Bans.GetValueOrDefault(user.Id) is null)
        {
            return Outcome.Done();
        }

        state.Bans[user.Id] = null;
        BansRemoved.Add((request.Room, user.Id));
        return MemberUpdated(request, new RoomMember(request.Room, user.Id, user.Name, MemberRoles.Member, _now, MutedUntil: null));
    }

    private Outcome PlanMute(MemberRequest request, RoomState state, MemberRecord target)
    {
        DateTime? until = request.Until > _now ? request.Until : null;
        var current = RoomRules.IsMuted(target, _now) ? target.MutedUntil : null;
        if (until == current)
        {
            return new Outcome { Member = target.ToMember() };
        }

        target.MutedUntil = until;
        WriteMember(target);
        var room = state.Record!;
        if (until is { } end && end.Ticks > room.MutedUntilTicks)
        {
            room.MutedUntilTicks = end.Ticks;
            UpdateRoom(room);
        }

        return MemberUpdated(request, target.ToMember());
    }

    private void CreateRoom(RoomState state, string name, string kind, string? title, string? topic)
    {
        var room = new RoomRecord { Name = name, Kind = kind, Title = NullIfEmpty(title), Topic = NullIfEmpty(topic), CreatedAt = _now };
        state.Record = room;
        RoomsCreated.Add(room);
        _written.Add(room);
    }

    private MemberRecord AddMember(RoomState state, string room, string userId, string userName, string role)
    {
        // What was posted before someone joined is history to them, not unread.
        var member = new MemberRecord
        {
            Room = room, UserId = userId, UserName = userName, Role = role, JoinedAt = _now, LastReadSequence = state.Record?.LastSequence ?? 0,
        };
        state.Members[userId] = member;
        state.MemberCount++;
        if (role == MemberRoles.Owner)
        {
            state.OwnerCount++;
        }

        MembersRemoved.Remove((room, userId));
        WriteMember(member);
        return member;
    }

    private Change Removed(MemberRequest request, RoomState state, MemberRecord target, BanRecord? ban)
    {
        state.Members[target.UserId] = null;
        state.MemberCount--;
        if (target.Role == MemberRoles.Owner)
        {
            state.OwnerCount--;
        }

        MembersWritten.Remove(target);
        _written.Remove(target);
        MembersRemoved.Add((request.Room, target.UserId));
        var member = ban is null ? target.ToMember() : target.ToMember() with { Banned = true, BannedUntil = ban.Until, BanReason = ban.Reason };
        return Record(new Change(request, request.Room, RoomEventTypes.MemberRemoved, _now) { Member = member });
    }

    private Change Added(ChangeRequest request, MemberRecord member) =>
        Record(new Change(request, member.Room, RoomEventTypes.MemberAdded, _now) { Member = member.ToMember() });

    private Outcome MemberUpdated(ChangeRequest request, RoomMember member)
    {
        var change = Record(new Change(request, member.Room, RoomEventTypes.MemberUpdated, _now) { Member = member });
        return new Outcome { Member = member, Changes = [change] };
    }

    private void WriteMember(MemberRecord member)
    {
        if (_written.Add(member))
        {
            MembersWritten.Add(member);
        }
    }

    private void UpdateRoom(RoomRecord room)
    {
        if (_written.Add(room))
        {
            RoomsUpdated.Add(room);
        }
    }

    private RoomMember BannedMember(string room, UserRecord user, BanRecord ban) =>
        new(room, user.Id, user.Name, MemberRoles.Member, ban.BannedAt, MutedUntil: null, Banned: true, BannedUntil: ban.Until, BanReason: ban.Reason);

    private static bool IsLastOwner(RoomState state, MemberRecord member) => member.Role == MemberRoles.Owner && state.OwnerCount <= 1;

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static Outcome NoSuchRoom() => Outcome.Rejected(ChatErrorCodes.NotFound, "no such room");

    private static Outcome NoSuchMember() => Outcome.Rejected(ChatErrorCodes.NotFound, "that user is not a member of this room");

    private static Outcome LastOwner() =>
        Outcome.Rejected(ChatErrorCodes.Forbidden, "a room always keeps an owner: make someone else owner first");
}
