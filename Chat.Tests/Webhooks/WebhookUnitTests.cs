using System.Net;
using Chat.Server.Webhooks;
using Chat.Shared;

namespace Chat.Tests.Webhooks;

/// <summary>The pure rules of webhooks: which addresses they may reach, when they retry and give up, what a registration must hold.</summary>
public sealed class WebhookUnitTests
{
    private static readonly WebhooksOptions Options = new()
    {
        FirstRetryDelay = TimeSpan.FromSeconds(5),
        MaxRetryDelay = TimeSpan.FromHours(1),
        RetryHorizon = TimeSpan.FromHours(24),
    };

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.10.20.30")]
    [InlineData("::1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.1.1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.1.1")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("100.100.100.200")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("224.0.0.1")]
    [InlineData("ff02::1")]
    [InlineData("255.255.255.255")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("64:ff9b::7f00:1")]
    public void LoopbackPrivateLinkLocalMetadataUnspecifiedAndMulticastAddressesAreNoTargets(string address)
    {
        WebhookTargets.Classify(IPAddress.Parse(address)).Should().NotBeNull();
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.64.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:1.1.1.1")]
    [InlineData("64:ff9b::808:808")]
    public void PublicAddressesAreTargets(string address)
    {
        WebhookTargets.Classify(IPAddress.Parse(address)).Should().BeNull();
    }

    [Fact]
    public void RetriesBackOffExponentiallyWithinHalfAndAllOfTheSchedule()
    {
        for (var failures = 1; failures <= 5; failures++)
        {
            var schedule = TimeSpan.FromSeconds(5 * Math.Pow(2, failures - 1));

            WebhookRetries.DelayAfter(failures, Options, random: 0).Should().Be(schedule);
            WebhookRetries.DelayAfter(failures, Options, random: 1).Should().Be(schedule / 2);
            WebhookRetries.DelayAfter(failures, Options, random: 0.5).Should().BeGreaterThan(schedule / 2).And.BeLessThan(schedule);
        }
    }

    [Fact]
    public void RetryDelaysStopGrowingAtTheMaximumEvenAfterManyFailures()
    {
        WebhookRetries.DelayAfter(11, Options, random: 0).Should().Be(TimeSpan.FromHours(1));
        WebhookRetries.DelayAfter(10_000, Options, random: 0).Should().Be(TimeSpan.FromHours(1));
        WebhookRetries.DelayAfter(10_000, Options, random: 1).Should().Be(TimeSpan.FromMinutes(30));
    }

    [Fact]
    public void AWebhookIsDisabledOnlyOnceItHasFailedForTheWholeHorizon()
    {
        var since = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        WebhookRetries.ShouldDisable(since, since, Options).Should().BeFalse();
        WebhookRetries.ShouldDisable(since, since.AddHours(23).AddMinutes(59), Options).Should().BeFalse();
        WebhookRetries.ShouldDisable(since, since.AddHours(24), Options).Should().BeTrue();
        WebhookRetries.ShouldDisable(since, since.AddDays(3), Options).Should().BeTrue();
    }

    [Fact]
    public void AValidRegistrationHasItsRoomsNormalizedOnce()
    {
        var error = WebhookEndpoints.Validate(
            new CreateWebhookRequest("https://hooks.example.com/chat", [RoomEventTypes.MessagePosted, RoomEventTypes.RoomUpdated], ["General", "general", "ops"]),
            out var url,
            out var rooms);

        error.Should().BeNull();
        url!.Host.Should().Be("hooks.example.com");
        rooms.Should().Equal("general", "ops");
    }

    [Fact]
    public void EveryRoomEventTypeMayBeAskedFor()
    {
        WebhookEndpoints.Validate(new CreateWebhookRequest("https://example.com/", [.. RoomEventTypes.All]), out _, out var rooms).Should().BeNull();
        rooms.Should().BeNull("no rooms means every room");
    }

    [Fact]
    public void AllNamesEveryRoomEventType()
    {
        var constants = typeof(RoomEventTypes).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(field => field.IsLiteral)
            .Select(field => (string)field.GetRawConstantValue()!);

        RoomEventTypes.All.Should().BeEquivalentTo(constants);
    }

    [Theory]
    [InlineData("https://example.com/" + "x", 0, 0)]
    [InlineData("https://example.com/", 0, ChatLimits.MaxWebhookRooms + 1)]
    [InlineData("https://example.com/", ChatLimits.MaxWebhookUrlLength, 1)]
    public void TooManyRoomsNoRoomsOrTooLongAUrlAreRefused(string url, int extraUrlCharacters, int rooms)
    {
        var request = new CreateWebhookRequest(
            url + new string('a', extraUrlCharacters),
            [RoomEventTypes.MessagePosted],
            [.. Enumerable.Range(0, rooms).Select(i => $"room-{i}")]);

        WebhookEndpoints.Validate(request, out _, out _).Should().NotBeNull();
    }
}
