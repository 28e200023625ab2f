namespace Chat.Server.Rooms;

public static class RoomsExtensions
{
    public static WebApplicationBuilder AddChatRooms(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<RoomSubscriptions>();
        builder.Services.AddSingleton<RoomService>();
        return builder;
    }
}
