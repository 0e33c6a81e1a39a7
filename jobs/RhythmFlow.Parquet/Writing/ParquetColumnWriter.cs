namespace RhythmFlow.Parquet.Writing;

/// <summary>
/// The buffered values of one column for the current row group. Typed subclasses take values without boxing;
/// nulls live only in the definition levels, so the value buffers hold non-null values back to back.
/// </summary>
public abstract class ParquetColumnWriter
{
    /// <summary>
    /// Values a buffer holds before it first grows. Small, because a writer per (topic, hour) file may hold only a
    /// few rows and hundreds of writers can be open at once; buffers double as rows arrive. Value buffers are rented
    /// from the shared array pool and given back by <see cref="Release"/> when the file is written, so the thousands
    /// of small files of a backlog reuse the same arrays instead of growing new ones for the garbage collector.
    /// </summary>
    private protected const int InitialCapacity = 64;

    /// <summary>Most slots a dictionary's hash table starts with; it doubles as entries arrive, so low-cardinality chunks stay small.</summary>
    private const int InitialTableSize = 1024;

    /// <summary>
    /// Values after which a chunk whose values were all but distinct gives up its dictionary (a Kafka offset, a
    /// millisecond timestamp). A catalogue drawn at random repeats far sooner: 20,000 songs show about 400 repeats in
    /// the first 4,096 plays, and a column needs around 8 million equally likely values to look this unique.
    /// </summary>
    private protected const int DistinctSample = 4096;

    private const int RepeatsToKeepTrying = DistinctSample / 256;

    private byte[]? definitions;

    /// <summary>The last built dictionary: its size, and per entry the index of the value it holds.</summary>
    private protected int dictionaryCount;

    private protected int[] dictionaryEntries = [];

    private protected ParquetColumnWriter(ParquetColumn column)
    {
        Column = column;
        if (column.IsOptional)
        {
            definitions = System.Buffers.ArrayPool<byte>.Shared.Rent(InitialCapacity);
        }
    }

    public ParquetColumn Column { get; }

    /// <summary>Values appended to the current row group, nulls included.</summary>
    public int Count { get; private set; }

    public int NullCount { get; private set; }

    /// <summary>Non-null values buffered: the subclasses' value buffers hold exactly these, back to back.</summary>
    internal int ValueCount => Count - NullCount;

    internal ReadOnlySpan<byte> Definitions => definitions is null ? default : definitions.AsSpan(0, Count);

    /// <summary>Approximate bytes buffered, for closing row groups at the configured size.</summary>
    internal abstract long BufferedBytes { get; }

    internal virtual bool SupportsDictionary => true;

    public void AppendNull()
    {
        if (definitions is null)
        {
            throw new InvalidOperationException($"Column '{Column.Name}' is REQUIRED and cannot hold a null.");
        }

        EnsureDefinitions();
        definitions[Count++] = 0;
        NullCount++;
    }

    /// <summary>Drops the values of rows from <paramref name="rowCount"/> on (used to undo a partly appended row).</summary>
    public void TruncateTo(int rowCount)
    {
        if (rowCount > Count || rowCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, $"Column '{Column.Name}' has {Count} values.");
        }

        if (definitions is not null)
        {
            NullCount = definitions.AsSpan(0, rowCount).Count((byte)0);
        }

        Count = rowCount;
    }

    private protected void Defined()
    {
        if (definitions is not null)
        {
            EnsureDefinitions();
            definitions[Count] = 1;
        }

        Count++;
    }

    internal virtual void Reset()
    {
        Count = 0;
        NullCount = 0;
        dictionaryCount = 0;
        Pooled.Return(ref dictionaryEntries);
    }

    /// <summary>Gives every buffer back to the pool once the writer's file is complete; the writer takes no more values.</summary>
    internal virtual void Release()
    {
        Reset();
        if (definitions is not null)
        {
            Pooled.Return(ref definitions!);
        }
    }

    internal abstract long PlainBytes(int from, int to);

    internal abstract void WritePlain(int from, int to, ByteBuffer output);

    /// <summary>
    /// Builds the chunk's dictionary and the index of every non-null value; false when it would outgrow
    /// <paramref name="maxDictionaryBytes"/>, in which case the chunk is written PLAIN.
    /// </summary>
    internal abstract bool TryBuildDictionary(int maxDictionaryBytes, int[] indices, out int entries, out long dictionaryBytes);

    internal abstract void WriteDictionary(ByteBuffer output);

    /// <summary>The hash table's first size: a power of two of at least twice the values, up to <see cref="InitialTableSize"/>.</summary>
    private protected int FirstTableSize()
    {
        var size = 16;
        while (size < InitialTableSize && size < ValueCount * 2)
        {
            size <<= 1;
        }

        return size;
    }

    /// <summary>True when the first <see cref="DistinctSample"/> values held <paramref name="distinct"/> distinct ones, too many for a dictionary to pay.</summary>
    private protected static bool SampleLooksUnique(int distinct) => distinct > DistinctSample - RepeatsToKeepTrying;

    /// <summary>
    /// True when a dictionary of <paramref name="entries"/> entries and <paramref name="dictionaryBytes"/> bytes,
    /// plus the indices of every value, already reaches the PLAIN size: entries only grow, so it cannot win any more.
    /// </summary>
    private protected bool CannotBeatPlain(int entries, long dictionaryBytes, long plainBytes) =>
        dictionaryBytes + ((long)ValueCount * Encodings.RleHybridEncoder.BitWidthOf(entries - 1) / 8) >= plainBytes;

    /// <summary>PLAIN-encoded min and max of the non-null values (null when there are none).</summary>
    internal abstract (byte[] Min, byte[] Max)? MinMax();

    private void EnsureDefinitions()
    {
        if (Count == definitions!.Length)
        {
            Pooled.Grow(ref definitions!, Count + 1, Count);
        }
    }
}
