namespace RhythmFlow.Transform.Tests;

public sealed class IdentitySetTests
{
    [Fact]
    public void Add_IdentitiesAcrossGrowth_RecognisesEveryRepeat()
    {
        // Given: enough identities to grow the table several times, sessions sharing items and items sharing sessions
        var set = new IdentitySet(64);
        var identities = Enumerable.Range(0, 100_000).Select(i => (Session: (long)(i / 7) << 33, Item: i % 7)).ToList();

        // When
        var first = identities.Select(i => set.Add(i.Session, i.Item)).ToList();
        var again = identities.Select(i => set.Add(i.Session, i.Item)).ToList();

        // Then
        first.ShouldAllBe(added => added);
        again.ShouldAllBe(added => !added);
        set.Full.ShouldBeFalse();
    }

    [Fact]
    public void Add_BeyondItsMemory_StopsRememberingAndSaysSo()
    {
        // Given: 1 MB, which holds fewer than 30,000 identities
        var set = new IdentitySet(1);

        // When
        var added = Enumerable.Range(0, 30_000).Count(i => set.Add(i, 0));

        // Then: every new identity is still let through, the early ones are still recognised, and the set is full
        added.ShouldBe(30_000);
        set.Full.ShouldBeTrue();
        set.Add(0, 0).ShouldBeFalse();
        set.Add(29_999, 0).ShouldBeTrue();
    }
}
