namespace Chat.Server.Rooms;

public static class RoomsExtensions
{
    public static WebApplicationBuilder AddChatRooms(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RoomsOptions>()
            .BindConfiguration(RoomsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<LargeRooms>();
        builder.Services.AddSingleton<MemberAnnouncer>();
        builder.Services.AddHostedService<RoomActivityLoop>();
        builder.Services.AddSingleton<RoomSubscriptions>();
        builder.Services.AddSingleton<RoomService>();
        return builder;
    }
}
