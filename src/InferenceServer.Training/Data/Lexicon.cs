namespace InferenceServer.Training.Data;

/// <summary>Fixed word lists the generators draw from (a closed vocabulary shared by training and held-out data).</summary>
internal static class Lexicon
{
    public static readonly string[] Words =
    [
        "cat", "dog", "sun", "map", "cup", "pen", "box", "hat", "car", "bus", "egg", "ant", "owl", "fox", "pig",
        "cow", "bed", "key", "jam", "ice", "sky", "sea", "tea", "toy", "web", "zoo", "arm", "leg", "ear", "eye",
        "bird", "fish", "tree", "book", "lamp", "door", "frog", "milk", "rain", "snow", "star", "moon", "ship",
        "king", "ring", "song", "wind", "sand", "rock", "leaf", "rose", "bell", "cake", "coat", "desk", "duck",
        "farm", "gold", "hill", "kite", "lion", "nest", "park", "road", "salt", "sock", "wolf", "yard", "corn",
        "apple", "bread", "chair", "cloud", "dream", "earth", "flame", "grape", "horse", "house", "juice",
        "lemon", "light", "mouse", "night", "ocean", "paper", "plant", "queen", "river", "sheep", "smile",
        "stone", "table", "tiger", "train", "water", "whale", "zebra", "music", "clock", "green", "heart",
        "honey", "snake", "storm", "sugar", "tooth", "truck", "piano", "beach", "candy", "money", "pizza",
        "garden", "banana", "bottle", "bridge", "button", "candle", "carrot", "castle", "circle", "cookie",
        "dragon", "finger", "flower", "forest", "guitar", "hammer", "island", "jacket", "kitten", "ladder",
        "monkey", "orange", "pencil", "pepper", "planet", "rabbit", "rocket", "silver", "spider", "summer",
        "tomato", "turtle", "window", "winter", "yellow", "basket", "camera", "doctor",
    ];

    public static readonly string[] Names =
    [
        "Anna", "Ben", "Carl", "Dina", "Eva", "Finn", "Gina", "Hugo", "Ida", "Jack", "Kate", "Leo", "Mia", "Nora",
        "Omar", "Paul", "Rosa", "Sam", "Tom", "Uma", "Vera", "Will", "Zoe", "Lucy", "Max", "Emma", "Noah", "Lily",
    ];

    public static readonly string[] Cities =
    [
        "Paris", "Rome", "Oslo", "Berlin", "Madrid", "Vienna", "Dublin", "Lisbon", "Prague", "Athens", "Tokyo",
        "Cairo", "Lima", "Boston", "Sydney", "Toronto", "London", "Moscow", "Seoul", "Delhi",
    ];

    public static readonly string[] Colors =
        ["red", "blue", "green", "yellow", "purple", "orange", "black", "white", "pink", "brown", "gray"];

    public static readonly string[] Animals =
        ["cat", "dog", "rabbit", "parrot", "hamster", "turtle", "goldfish", "horse", "snake", "mouse", "lizard"];

    public static readonly string[] Jobs =
        ["doctor", "teacher", "pilot", "farmer", "baker", "lawyer", "nurse", "chef", "painter", "singer", "driver"];

    public static readonly string[] SystemPrompts =
    [
        "You are a helpful assistant.",
        "You are a helpful assistant. Answer with the result only.",
        "Answer the question briefly.",
        "You are a careful assistant that solves small puzzles.",
        "Reply with just the answer.",
    ];
}
