namespace RhythmFlow.Simulator.Model;

/// <summary>
/// One listener: identity and demographics fixed at creation (as table indices, so a million users stay
/// small), per-user rates, and the current session's position in the state machine.
/// </summary>
internal sealed class User
{
    public long UserId;
    public long RegistrationMs;
    public int Place;
    public int Agent;
    public int Surname;
    public int FirstName;
    /// <summary>
    /// The user's fixed JSON, built at the first emitted event: <c>,city..userAgent..lat</c> (the first
    /// <see cref="DeviceLength"/> bytes) then <c>,"userId"..registration</c> and the tag, shown only in some auth states.
    /// </summary>
    public byte[]? Profile;

    public int DeviceLength;
    public double Alpha;
    public double Beta;

    /// <summary>Tie-breaker in the shard's queue, so equal timestamps pop in a fixed order.</summary>
    public int LocalIndex;

    public long SessionId;
    public int ItemInSession;
    public long NextTs;
    public PageState State = null!;
    public PageState? Previous;
    public Song? CurrentSong;
    public long CurrentSongEnd;
}
